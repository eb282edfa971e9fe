//! qorus-gcal
