//! Tokens with spans. (To be written.)
