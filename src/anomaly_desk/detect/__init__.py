"""Detection: arrays and frames in, scores and explanations out; no SQL, no Qt."""
