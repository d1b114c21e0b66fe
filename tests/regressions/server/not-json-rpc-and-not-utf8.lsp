Content-Length: 83

{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}Content-Length: 7

[1,2,3]Content-Length: 30

{"jsonrpc":"2.0","method":"ÿ"}Content-Length: 51

{"jsonrpc": "2.0", "id": 999, "method": "shutdown"}Content-Length: 36

{"jsonrpc": "2.0", "method": "exit"}