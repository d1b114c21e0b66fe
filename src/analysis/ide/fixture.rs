//! Test fixtures: several files in one string, a cursor and marked ranges.
