"""Answers with every kind of content a rewrite must leave alone, for the decoy tests."""

from __future__ import annotations

MIXED = """Here is a quick overview. It is important to remember that you don't need much.

## Steps

1. First, install the package with `pip install requests` (it's small).
2. Next, open https://example.com/docs?page=2 and read the section on sessions.
3. Then write the script below; it doesn't take long.
4. Finally, run it. The whole process usually takes about 5 minutes and 250 MB of disk.

```python
import requests

def fetch(urls, limit=10):
    results = []
    for i in range(len(urls)):
        if i >= limit and urls[i] != "":
            break
        results.append(requests.get(urls[i], timeout=3.5))
    return results
```

The configuration is plain JSON:

```json
{"retries": 3, "backoff": 0.5, "verbose": true, "hosts": ["a.example", "b.example"]}
```

For example, you can also set `timeout=2` for each request. In addition to that, there's
a setting for proxies: contact admin@example.org if you are not sure. Furthermore, the
library is widely used, and it is simple to extend.

| Option | Default |
|--------|---------|
| retries | 3 |

Therefore, the total is 42 requests per minute. The answer is **42**.
"""

MATH = """To find the cost, we work step by step.

1. First, the apples cost 3 x $2.50 = $7.50.
2. Next, the bread costs $4.
3. Then we add the milk at $1.25.
4. Finally, we sum: 7.50 + 4 + 1.25 = 12.75.

Therefore, the total cost is $12.75. The answer is **12.75**.
"""

PROSE = [
    "It is important to note that the results don't always hold. For example, in most cases "
    "the effect is small, but it isn't negligible. You can also use a simple model to "
    "estimate it, and it's usually accurate enough. However, there are several exceptions.",
    "Furthermore, we are trying to make sure the process is straightforward. Perhaps the "
    "best way to start is to look at a few examples. Keep in mind that it is not always "
    "easy, and you will need to modify the settings depending on your goals.",
    "Let me know if you have any questions. I hope this helps! Overall, the approach is "
    "simple: choose a method, verify the results, and improve them over time. It's also "
    "crucial to calculate the costs. In fact, a lot of teams do not do this.",
]
