class Check:
    def __init__(self, *a, **k): pass
    def run(self): return True
    def print(self): print("readme: not yet")
