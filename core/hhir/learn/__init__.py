"""The learning loop: zero-shot starter, retraining from annotations, evaluation, agreement and the
review queue.

Heavy libraries (torch, transformers, cv2) are imported inside the functions that use them, so
importing this package stays cheap for the desktop app.
"""
