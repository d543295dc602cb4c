MATCH p = shortestPath((:Person {name: 'Xie Xiaoyong'})-[*..8]-(:Organisation {name: 'Regional Anti-Terrorist Structure'}))
WHERE none(r IN relationships(p) WHERE type(r) IN ['MENTIONED_IN', 'SOURCE', 'ON', 'IN'])
RETURN [n IN nodes(p) | coalesce(n.name, n.key)] AS path,
       [r IN relationships(p) | type(r)] AS via;
