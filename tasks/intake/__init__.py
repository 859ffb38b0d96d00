"""An agency file: from the collection folder to a stored submission or a receipt."""
