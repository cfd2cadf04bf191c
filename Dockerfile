# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .
# collectstatic needs settings that import cleanly; the real key arrives at run time.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0
RUN useradd --system --uid 1001 attune && chown -R attune /app
USER attune
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
