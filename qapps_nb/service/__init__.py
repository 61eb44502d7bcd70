"""The Amazon Q Apps calls: presigned uploads, apps and cards, sessions.

All of them share one cached boto3 client (``client.py``) and one way of turning AWS
failures into one-line errors. Nothing here knows about IPython or widgets.
"""
