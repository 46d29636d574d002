import sys
print("harness placeholder", sys.argv[1:])
