"""The label panel: ``panel`` (the view) over ``logic`` (review rules without Qt)."""
