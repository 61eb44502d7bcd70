"""qapps-nb benchmarks against the native anchors (openssl, curl); see RESULTS.md.

Run ``python -m benchmarks`` (``make bench``) or ``--quick`` for CI's tiny version.
"""
