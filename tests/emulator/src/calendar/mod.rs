//! Calendar v3 resources, held in memory per user.
