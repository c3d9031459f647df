from services.surveys.config import SurveysSettings
from services.surveys.main import create_app
from shared.service import serve

settings = SurveysSettings()
serve(create_app(settings), settings)
