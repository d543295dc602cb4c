fn main() {
    println!("factgraph: the shell is not written yet");
}
