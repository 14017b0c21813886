"""Example nodes for PyFlow Desktop: each .py file beside this one is a nodemaker module and
each .json file a repository; PyFlow Desktop reads them and never imports this package."""
