//! The SigSentry API client.
