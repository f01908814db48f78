# The two commands a new machine needs (see README):
#   make app    install everything and start LSTM Studio on http://localhost:8501
#   make test   install everything (with the test browser) and run all tests
.PHONY: app test bench

app:
	scripts/setup.sh
	.venv/bin/streamlit run app.py

test:
	scripts/setup.sh --dev
	.venv/bin/python -m pytest

bench:
	scripts/setup.sh --dev
	.venv/bin/python -m pip install --quiet -r bench/requirements.txt
	bash bench/run_all.sh
