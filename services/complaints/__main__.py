from services.complaints.config import ComplaintsSettings
from services.complaints.main import create_app
from shared.service import serve

settings = ComplaintsSettings()
serve(create_app(settings), settings)
