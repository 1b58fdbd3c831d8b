"""InferenceData conversion, saving and loading."""

from credo.io.idata import load_trace, save_trace, to_inference_data

__all__ = ["to_inference_data", "save_trace", "load_trace"]
