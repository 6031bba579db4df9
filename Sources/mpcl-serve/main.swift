print("mpcl-serve: not yet")
