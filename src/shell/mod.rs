//! The interactive shell and the script runner. (To be written.)
