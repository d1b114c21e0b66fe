//! Fixture table: small sentences for every rule and the tricky negatives.
