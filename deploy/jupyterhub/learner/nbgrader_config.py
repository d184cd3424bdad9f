"""nbgrader settings of a learner's server (the hub points JUPYTER_CONFIG_PATH here): which course
the Assignments tab shows, where its exchange is, and a submit step that keeps the learner's own
submission private. Other learners' safety never depends on this file (a learner may change it):
the exchange's ownership and permissions and the instructor's collect keep them apart."""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)
c.CourseDirectory.course_id = os.environ["CLIENTCRAFT_COURSE_ID"]
c.Exchange.root = os.environ["CLIENTCRAFT_EXCHANGE"]
c.ExchangeFactory.submit = "clientcraft.exchange.PrivateSubmit"
