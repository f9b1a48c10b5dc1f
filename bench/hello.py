"""A bare Flask app, served the same way as Bypuls in the same run: the ceiling this machine allows."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
