"""nbgrader settings of the instructor's server (the hub points JUPYTER_CONFIG_PATH here): the
course folder formgrader manages, the exchange, the collect step that refuses forged
submissions, and then the course's own nbgrader_config.py (written by `clientcraft
nbgrader-course`: grading without running learner code)."""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)
course = os.path.join(os.path.expanduser("~"), os.environ["CLIENTCRAFT_COURSE_DIR"])
c.CourseDirectory.root = course
c.CourseDirectory.course_id = os.environ["CLIENTCRAFT_COURSE_ID"]
c.Exchange.root = os.environ["CLIENTCRAFT_EXCHANGE"]
c.ExchangeFactory.collect = "clientcraft.exchange.OwnerCheckedCollect"
if os.environ.get("CLIENTCRAFT_GRADEBOOK_URL"):  # e.g. Postgres on Kubernetes (deploy/z2jh)
    c.CourseDirectory.db_url = os.environ["CLIENTCRAFT_GRADEBOOK_URL"]
# A submission from an account not on the roster fails instead of adding a learner silently.
c.Autograde.create_student = False
if os.path.exists(os.path.join(course, "nbgrader_config.py")):
    load_subconfig(os.path.join(course, "nbgrader_config.py"))  # noqa: F821 (provided by traitlets)
