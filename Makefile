.PHONY: run test lint worker beat bench

run:   ## bootstrap, migrate, seed the demo clinic and serve on http://127.0.0.1:8000
	scripts/run.sh

test:  ## install the test dependencies, lint, check migrations and run the whole suite
	scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports && DEBUG=true .venv/bin/mypy .

worker:
	.venv/bin/celery -A config worker --loglevel=INFO

beat:
	.venv/bin/celery -A config beat --loglevel=INFO
