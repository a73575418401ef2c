//! A stateful fake of the SigSentry API, for tests, the demo and offline pipelines.
