// The Web API consumption of a saved model (docs/SERVING.md): POST /predict takes an image (raw body or multipart file)
// and answers its class, probability and top-k as JSON; GET /health reports the model and counters. Without
// --Serving:ModelPath the first run trains the sample's model (Fashion-MNIST sample, 48 px, about a minute on a CPU).
// Usage: dotnet run -c Release --project samples/WebApi -- --urls http://127.0.0.1:5000 [--Serving:ModelPath model/model.zip]
//        curl -s -F image=@samples/data/fashion-mnist-sample/valid/bag/t10k_00018.png 'http://127.0.0.1:5000/predict?top=3'
using WebApi;

ServingApp.Create(args).Run();

// Sample output (curl, the sample's model):
// {"class":"bag","probability":0.9,"top":[{"class":"bag","probability":0.9},{"class":"sandal","probability":0.03},...]}
