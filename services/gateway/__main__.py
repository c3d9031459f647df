from services.gateway.config import GatewaySettings
from services.gateway.main import create_app
from shared.service import serve

settings = GatewaySettings()
serve(create_app(settings), settings)
