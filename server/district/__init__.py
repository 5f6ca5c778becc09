"""The district's collection: submissions stored in a database, the status board, the 汇总.

``service`` (accounts, access, submit, 退回), ``board`` (status board and its
exports), ``aggregate`` (the 汇总 workbook) and ``collect`` (batch import) are
plain functions over a SQLAlchemy session; ``views`` are the web pages.
"""
