MATCH (x)-[:ON]->(:Date)-[:IN*0..1]->(:Date {name: '2023-10'})
OPTIONAL MATCH (x)-[:HELD_IN|PLACE]->(place)
RETURN labels(x) AS kind, coalesce(x.name, x.summary, x.quote) AS what,
       place.name AS place, x.source AS article;
