"""Reads factgraph's exports with the real tools and prints what they saw as
JSON, for tests/export.rs to compare with factgraph's own graph.

    check_export.py kuzu DIR [QUERY]   load DIR/kuzu (schema.cypher, copy.cypher)
    check_export.py rdf NT TTL [QUERY] parse both with rdflib, run SPARQL
    check_export.py graphml FILE       read with networkx

Values are tagged so that types survive JSON: {"s": str}, {"i": int},
{"f": repr(float)}, {"b": bool}, {"l": [...]}, {"d": str(date)}.
"""
import json
import os
import sys
import tempfile


def tag(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return {"b": v}
    if isinstance(v, int):
        return {"i": v}
    if isinstance(v, float):
        return {"f": repr(v)}
    if isinstance(v, str):
        return {"s": v}
    if isinstance(v, list):
        return {"l": [tag(x) for x in v]}
    return {"d": str(v)}


def kuzu_check(d, query=None):
    import kuzu

    kdir = os.path.join(d, "kuzu")
    tmp = tempfile.mkdtemp(prefix="fg-kuzu-")
    db = kuzu.Database(os.path.join(tmp, "db"))
    c = kuzu.Connection(db)
    os.chdir(kdir)  # the COPY paths are relative
    for name in ("schema.cypher", "copy.cypher"):
        with open(name, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("//"):
                    try:
                        c.execute(line)
                    except Exception as e:
                        raise SystemExit(f"kuzu refused {name}: {line}\n{e}")
    out = {"nodes": [], "rels": []}
    ids = {}
    r = c.execute("MATCH (n) RETURN n")
    while r.has_next():
        n = r.get_next()[0]
        key = next(k for k in n if k.startswith("fg_id"))
        ids[(n["_id"]["table"], n["_id"]["offset"])] = n[key]
        props = {k: tag(v) for k, v in n.items()
                 if not k.startswith("_") and k != key and v is not None}
        out["nodes"].append({"id": n[key], "table": n["_label"], "props": props})
    r = c.execute("MATCH ()-[e]->() RETURN e")
    while r.has_next():
        e = r.get_next()[0]
        props = {k: tag(v) for k, v in e.items()
                 if not k.startswith("_") and v is not None}
        out["rels"].append({
            "type": e["_label"],
            "start": ids[(e["_src"]["table"], e["_src"]["offset"])],
            "end": ids[(e["_dst"]["table"], e["_dst"]["offset"])],
            "props": props,
        })
    for q, key in (("MATCH (n) RETURN count(n)", "node_count"),
                   ("MATCH ()-[e]->() RETURN count(e)", "rel_count")):
        out[key] = c.execute(q).get_next()[0]
    if query:
        r = c.execute(query)
        rows = []
        while r.has_next():
            rows.append([tag(v) for v in r.get_next()])
        out["answer"] = rows
    print(json.dumps(out))


def rdf_check(nt, ttl, query=None):
    import rdflib
    from rdflib.compare import isomorphic

    g1 = rdflib.Graph()
    g1.parse(nt, format="nt")
    g2 = rdflib.Graph()
    g2.parse(ttl, format="turtle")
    pre = """PREFIX fg: <http://factgraph.example/vocab/>
PREFIX p: <http://factgraph.example/p/>
PREFIX r: <http://factgraph.example/r/>
PREFIX c: <http://factgraph.example/c/>
PREFIX ax: <http://factgraph.example/approx/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
    def one(g, q):
        return int(next(iter(g.query(pre + q)))[0])
    out = {"isomorphic": isomorphic(g1, g2), "triples": [len(g1), len(g2)]}
    for name, g in (("nt", g1), ("ttl", g2)):
        out[name] = {
            "nodes": one(g, "SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE { ?n a fg:Node }"),
            "rels": one(g, "SELECT (COUNT(DISTINCT ?e) AS ?c) WHERE { ?e a rdf:Statement }"),
        }
    # Every literal of the N-Triples, by subject and predicate.
    lits = []
    for s, p, o in g1:
        if isinstance(o, rdflib.Literal):
            lits.append([str(s), str(p), str(o), str(o.datatype) if o.datatype else None])
    out["literals"] = sorted(lits)
    # Typed literals whose lexical form rdflib could not read as its type.
    out["ill_typed"] = sorted(
        [str(s), str(p), str(o)] for s, p, o in g1
        if isinstance(o, rdflib.Literal) and o.ill_typed)
    if query:
        rows = []
        for row in g1.query(pre + query):
            rows.append([None if v is None else str(v) for v in row])
        out["answer"] = rows
    print(json.dumps(out))


def graphml_check(path):
    import networkx as nx

    g = nx.read_graphml(path)
    out = {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "directed": g.is_directed(),
        "node_attrs": {n: {k: tag(v) for k, v in a.items()} for n, a in g.nodes(data=True)},
        "edge_attrs": sorted(
            [[u, v, {k: tag(x) for k, x in a.items()}] for u, v, a in g.edges(data=True)],
            key=lambda e: json.dumps(e)),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "kuzu":
        kuzu_check(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif mode == "rdf":
        rdf_check(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    elif mode == "graphml":
        graphml_check(sys.argv[2])
    else:
        raise SystemExit(f"unknown mode {mode}")
