"""Ids the magic tests use besides the sandbox's own (any valid UUID is accepted)."""

OTHER_APP = "11111111-2222-4333-8444-555555555555"
OTHER_CARD = "66666666-7777-4888-9999-aaaaaaaaaaaa"
SESSION = "0b5e2c4d-1f2a-4b3c-9d4e-5f6a7b8c9d0e"
