"""The demo: Pirkanmaa's alliance and its whole story, loaded by ``manage.py demo_load``.

One module per part of the story (:mod:`~allianssi.demo.story` tells it in order): the parties and
people, governance, procurement, the division of tasks (compliance), the open books, the
settlement, the service catalogue, the customers and their referrals, and the outcomes. The demo
sits above every domain app and writes only through their services; no domain app imports it.
"""
