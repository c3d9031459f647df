from services.loyalty.config import LoyaltySettings
from services.loyalty.main import create_app
from shared.service import serve

settings = LoyaltySettings()
serve(create_app(settings), settings)
