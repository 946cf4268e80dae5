"""Runnable scripts that reproduce the club's lesson notes with the engine.

Run one from the repository (``python demos/backprop_by_hand.py [--out DIR]``); installed,
they are the package ``micrograd_club.demos``. Every demo module has
``main(out_dir="micrograd_club_out/NAME") -> dict``: it prints what it computes, writes its
pictures into ``out_dir`` and returns the key numbers.

``DEMOS`` maps each demo's name to its module, in the order of the lessons.
"""

DEMOS = {
    "sigmoid_and_prediction": "micrograd_club.demos.sigmoid_and_prediction",
    "loss_functions": "micrograd_club.demos.loss_functions",
    "gradient_descent": "micrograd_club.demos.gradient_descent",
    "backprop_by_hand": "micrograd_club.demos.backprop_by_hand",
    "neuron": "micrograd_club.demos.neuron",
    "mlp_classifier": "micrograd_club.demos.mlp_classifier",
    "optimizers": "micrograd_club.demos.optimizers",
}
