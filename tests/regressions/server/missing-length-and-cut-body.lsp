Content-Length: 83

{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}Content-Type: x

garbage

Content-Length: 48

{"jsonrpc": "2.0", "method": "initialized", "params": {}}Content-Length: 51

{"jsonrpc": "2.0", "id": 999, "method": "shutdown"}Content-Length: 36

{"jsonrpc": "2.0", "method": "exit"}