"""Instructor report: item analysis and learner mastery from an nbgrader course's gradebook."""
