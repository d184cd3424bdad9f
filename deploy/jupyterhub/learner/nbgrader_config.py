"""nbgrader settings of a learner's server (the hub points JUPYTER_CONFIG_PATH here): which course
the Assignments tab shows and where its exchange is. Security does not depend on this file: a
learner may change it, the exchange's file permissions still keep them apart."""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)
c.CourseDirectory.course_id = os.environ["CLIENTCRAFT_COURSE_ID"]
c.Exchange.root = os.environ["CLIENTCRAFT_EXCHANGE"]
