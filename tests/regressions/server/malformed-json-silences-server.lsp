Content-Length: 83

{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}Content-Length: 22

{"jsonrpc": "2.0", badContent-Length: 51

{"jsonrpc": "2.0", "id": 999, "method": "shutdown"}Content-Length: 36

{"jsonrpc": "2.0", "method": "exit"}