//! Graphviz DOT. (To be written.)
