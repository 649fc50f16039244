"""Every Flask extension object, created unbound and initialised in create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# No default limit: only the endpoints that need one (login, invitations)
# are limited, so a busy tracked link never competes with them.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
