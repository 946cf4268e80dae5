"""Runnable scripts that reproduce the club's lesson notes with the engine.

Run one from the repository (``python demos/backprop_by_hand.py``); installed, they are the
package ``micrograd_club.demos``.
"""
