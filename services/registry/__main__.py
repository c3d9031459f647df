from services.registry.config import RegistrySettings
from services.registry.main import create_app
from shared.service import serve

settings = RegistrySettings()
serve(create_app(settings), settings)
