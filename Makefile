# Shortcuts for those who like make; dev.py is the entry point and needs only Python 3.11.
PYTHON ?= python3.11

.PHONY: run test setup
run:
	$(PYTHON) dev.py run
test:
	$(PYTHON) dev.py test
setup:
	$(PYTHON) dev.py setup
