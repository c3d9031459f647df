# One image for every Clientele service; the command picks the service:
#   docker run clientele python -m services.loyalty
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY shared ./shared
COPY services ./services
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 clientele
WORKDIR /app
COPY --from=build --chown=clientele:clientele /app /app
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1
USER clientele
EXPOSE 8000 8001 8002 8003 8004
CMD ["python", "-m", "services.gateway"]
