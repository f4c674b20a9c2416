"""The video list: ``panel`` (the view), ``analysis`` (queues analyses, clip rescoring and model switches
as operations) and ``queue_book`` (where each video's analysis stands, kept in the project)."""
