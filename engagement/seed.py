DEMO_EMAIL = "admin@vordingborg.example"
DEMO_PASSWORD = "bypuls-demo-2026"
def seed(session):
    raise NotImplementedError
