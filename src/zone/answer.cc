// Implemented by the answer algorithm; placeholder.
