"""askflow's ComponentResources, one concern per module. Only ``infra/__main__.py`` wires them."""
