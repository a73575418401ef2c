//! Table tests of ownership against an HTTP mock of the API.
